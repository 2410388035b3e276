#!/usr/bin/python3
"""PyTorch CPU baseline for `deno task bench`: vanilla tanh RNN training steps.

One step = forward + full BPTT + Adam on one batch of the Appendix A workloads:
h_t = tanh(W_x x_t + W_h h_{t-1} + b), y_t = W_o h_t + b_o, MSE over all steps
(torch.nn.RNN + torch.nn.Linear, torch.optim.Adam).

Runs steps for --seconds after --warmup steps and prints one JSON line:
{"workload", "impl", "threads", "steps", "seconds", "netStepsPerSec", "msPerStepMedian"}.

Usage: /usr/bin/python3 scripts/bench/torch_rnn.py --workload flipflop [--threads 1]
       [--seconds 4] [--warmup 3] [--impl nnrnn|loop] [--wait-go]
"""
import argparse
import json
import sys
import statistics
import time

import torch

# name: (B, T, H, I, O), Appendix A
WORKLOADS = {
    "flipflop": (256, 100, 64, 3, 3),
    "delayed_discrimination": (256, 60, 128, 2, 2),
    "sine": (32, 100, 128, 1, 1),
}


def pulses(T, B, n, gen):
    """Sparse +-1 pulses [T, B, n] (timing does not depend on the values)."""
    u = torch.rand(T, B, n, generator=gen)
    s = torch.where(torch.rand(T, B, n, generator=gen) < 0.5, -1.0, 1.0)
    return torch.where(u < 0.05, s, torch.zeros_like(s))


def make_step(workload, impl):
    B, T, H, I, O = WORKLOADS[workload]
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    x = pulses(T, B, I, gen)
    y = pulses(T, B, O, gen)
    if impl == "nnrnn":
        rnn = torch.nn.RNN(I, H, nonlinearity="tanh")  # [T, B, *]
        lin = torch.nn.Linear(H, O)
        opt = torch.optim.Adam(list(rnn.parameters()) + list(lin.parameters()), lr=1e-3)
        h0 = torch.zeros(1, B, H)

        def step():
            opt.zero_grad(set_to_none=True)
            hs, _ = rnn(x, h0)
            loss = torch.nn.functional.mse_loss(lin(hs), y)
            loss.backward()
            opt.step()
            return loss

        return step
    if impl == "loop":
        k = 1.0 / H**0.5
        Wh = torch.empty(H, H).uniform_(-k, k).requires_grad_()
        Wx = torch.empty(I, H).uniform_(-k, k).requires_grad_()
        b = torch.zeros(H, requires_grad=True)
        Wo = torch.empty(H, O).uniform_(-k, k).requires_grad_()
        bo = torch.zeros(O, requires_grad=True)
        opt = torch.optim.Adam([Wh, Wx, b, Wo, bo], lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            xp = torch.addmm(b, x.reshape(T * B, I), Wx).reshape(T, B, H).unbind(0)
            h = torch.zeros(B, H)
            hs = []
            for t in range(T):
                h = torch.tanh(torch.addmm(xp[t], h, Wh))
                hs.append(h)
            out = torch.stack(hs) @ Wo + bo
            loss = torch.nn.functional.mse_loss(out, y)
            loss.backward()
            opt.step()
            return loss

        return step
    raise SystemExit(f"--impl must be nnrnn or loop, got {impl}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    ap.add_argument("--impl", default="nnrnn")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--wait-go", action="store_true",
                    help="after warm-up print READY and wait for a line on stdin before timing")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    step = make_step(args.workload, args.impl)
    for _ in range(args.warmup):
        step()
    if args.wait_go:
        print("READY", flush=True)
        sys.stdin.readline()
    times = []
    c0 = time.process_time()
    t0 = time.perf_counter()
    while True:
        s0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - s0)
        if time.perf_counter() - t0 >= args.seconds:
            break
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "workload": args.workload,
        "impl": f"torch {torch.__version__} {args.impl}",
        "threads": torch.get_num_threads(),
        "steps": len(times),
        "seconds": elapsed,
        "netStepsPerSec": len(times) / elapsed,
        "msPerStepMedian": statistics.median(times) * 1e3,
        "cpuMsPerStep": cpu / len(times) * 1e3,
    }), flush=True)


if __name__ == "__main__":
    main()
