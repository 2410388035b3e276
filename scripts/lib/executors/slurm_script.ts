/**
 * The `sbatch` job script of one job array (pure text generation, no I/O): array task i runs
 * unit `UNIT_IDS[i]` (stage index `UNIT_INDICES[i]`) through the unit runner, with the Deno
 * binary that submitted, `--cached-only` and the run's `DENO_DIR` (compute nodes have no
 * network). After the runner exits, the script records which Slurm array task ran the unit
 * (`<out>/slurm/tasks/<unit>.json`, `degeneracy.slurm-task/1`); when the runner failed without
 * recording why (it could not load a module, was killed, Deno did not start) the script writes
 * the unit's error file itself (`degeneracy.unit-error/1`), naming the cause and the log.
 */
import { unitFileName } from "./plan_types.ts";

/** Everything one job script needs; all paths absolute. */
export interface JobScriptSpec {
  /** Slurm job name. */
  jobName: string;
  /** Stage of every unit in this array. */
  stage: string;
  /** 1-based part number and the number of parts of this stage in this submission. */
  part: number;
  parts: number;
  /** Unit ids and their 0-based indices within the stage, array task i ↔ entry i. */
  units: { id: string; index: number }[];
  /** Simultaneously running array tasks (`%N`). */
  throttle: number;
  /** `--time`, minutes. */
  timeMinutes: number;
  /** `--mem`, MB. */
  memoryMB: number;
  partition?: string;
  account?: string;
  /** Absolute path of the Deno binary. */
  deno: string;
  /** Absolute path of the `DENO_DIR` holding every module the runner loads. */
  denoDir: string;
  /** Repository root (the runner's working directory). */
  repo: string;
  /** Run directory. */
  out: string;
  /** Runner module, relative to `repo`. */
  runner: string;
  /** Permission flags of the runner (exact, e.g. `--allow-read=...`). */
  permissions: string[];
}

/** Quotes `s` for bash (single quotes). */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** `--time` value for `minutes` (Slurm's `D-HH:MM:SS`). */
export function slurmTime(minutes: number): string {
  const total = Math.ceil(minutes);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d}-${p(h)}:${p(m)}:00`;
}

/**
 * The part of every job script after its variables, with bash's `${` written as `@{` (so it can
 * sit in a template literal) and `%LOG_NAME%`/`%UNITS%` filled in per array.
 */
const JOB_BODY_TEMPLATE = String.raw`json() { # a JSON string literal of $1
  local s=@{1//\\/\\\\}
  s=@{s//\"/\\\"}
  s=@{s//$'\n'/ }
  s=@{s//$'\t'/ }
  printf '"%s"' "$s"
}
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
write_atomic() { # write_atomic <path>: stdin → <path>.tmp-<pid> → fsync → rename
  local tmp="$1.tmp-$$"
  cat >"$tmp" && sync "$tmp" 2>/dev/null; mv -f "$tmp" "$1"
}

task=@{SLURM_ARRAY_TASK_ID:?this script runs as a Slurm array task: submit it with sbatch}
index=@{UNIT_INDICES[$task]:?array task $task is outside this array of %UNITS% units}
unit=@{UNIT_IDS[$task]}
safe=@{unit//\//__}
log="$OUT/slurm/logs/%LOG_NAME%"
log=@{log//"%A"/@{SLURM_ARRAY_JOB_ID:-}}
log=@{log//"%a"/$task}
host=$(uname -n)
started=$(now)
stderr_copy=$(mktemp)
stamp() { # stamp <finished> <exit code> (JSON values): which array task ran the unit, and how it ended
  printf '{"schema":"degeneracy.slurm-task/1","unit":%s,"stage":%s,"index":%d,"arrayJobId":%s,"arrayTaskId":%d,"jobId":%s,"node":%s,"log":%s,"started":%s,"finished":%s,"exitCode":%s}\n' \
    "$(json "$unit")" "$(json "$STAGE")" "$index" "$(json "@{SLURM_ARRAY_JOB_ID:-}")" "$task" \
    "$(json "@{SLURM_JOB_ID:-}")" "$(json "$host")" "$(json "$log")" "$(json "$started")" "$1" "$2" |
    write_atomic "$OUT/slurm/tasks/$safe.json"
}
# scancel, preemption or the time limit: Slurm signals every process of the task; the runner
# stops (its writes are atomic), then this records exit code 143. Set before the first stamp, so
# that a task whose stamp exists always records how it ended (a signal between the two was lost).
trap 'stamp "$(json "$(now)")" 143; rm -f "$stderr_copy"; exit 143' TERM
stamp null null
echo "degeneracy: unit $unit (stage $STAGE, index $index) on $host, array task @{SLURM_ARRAY_JOB_ID:-?}_$task"
cd "$REPO" || { echo "degeneracy: the repository $REPO is not visible on $host" >&2; exit 1; }
error="$OUT/errors/$safe.json"
error_before=$(stat -c %y "$error" 2>/dev/null)
# stdout to the log, stderr to the log and to a copy (to tell why the runner failed)
{ "$DENO" "@{RUNNER[@]}" --out "$OUT" --stage "$STAGE" --index "$index" 2>&1 1>&3 3>&- |
  tee "$stderr_copy" >&2 3>&-; } 3>&1
rc=@{PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  if [ "$(stat -c %y "$error" 2>/dev/null)" = "$error_before" ]; then # the runner wrote none
    if [ ! -x "$DENO" ]; then
      message="the Deno binary $DENO does not exist on $host: compute nodes need it at the same path (a shared filesystem)"
    elif grep -q -e '--cached-only' -e 'not found in cache' "$stderr_copy"; then
      message="a module is not cached in DENO_DIR $DENO_DIR (job scripts run with --cached-only; compute nodes have no network): rerun the submit command on a machine with network access, it caches every module the runner loads; see $log"
    else
      message="the unit runner exited with status $rc without recording an error (killed, out of memory, over its time limit, or Deno could not start); see $log"
    fi
    echo "degeneracy: $message" >&2
    mkdir -p "$OUT/errors"
    printf '{"schema":"degeneracy.unit-error/1","unit":%s,"stage":%s,"message":%s,"at":%s}\n' \
      "$(json "$unit")" "$(json "$STAGE")" "$(json "$message")" "$(json "$(now)")" |
      write_atomic "$error"
  fi
fi
stamp "$(json "$(now)")" "$rc"
rm -f "$stderr_copy"
exit "$rc"`;
const JOB_BODY = JOB_BODY_TEMPLATE.replaceAll("@{", "${");

/** Text of the job script for `spec`. */
export function jobScript(spec: JobScriptSpec): string {
  const n = spec.units.length;
  if (n === 0) throw new Error("jobScript: an array needs at least one unit");
  if (!Number.isInteger(spec.throttle) || spec.throttle < 1) {
    throw new Error(`jobScript: throttle must be an integer >= 1, got ${spec.throttle}`);
  }
  const directives = [
    `--job-name=${spec.jobName}`,
    `--array=0-${n - 1}%${spec.throttle}`,
    `--ntasks=1`,
    `--cpus-per-task=1`,
    `--mem=${Math.ceil(spec.memoryMB)}M`,
    `--time=${slurmTime(spec.timeMinutes)}`,
    `--requeue`,
    `--output=${spec.out}/slurm/logs/${logName(spec)}`,
    ...(spec.partition ? [`--partition=${spec.partition}`] : []),
    ...(spec.account ? [`--account=${spec.account}`] : []),
  ];
  // V8's heap may use what Slurm grants, less a margin for code and native buffers.
  const heapMB = Math.max(256, Math.floor(spec.memoryMB * 0.9));
  const runnerArgs = [
    "run",
    "--cached-only",
    "--no-prompt",
    ...spec.permissions.filter((p) => p !== "--no-prompt"),
    `--v8-flags=--max-old-space-size=${heapMB}`,
    spec.runner,
  ];
  const q = shellQuote;
  const lines = [
    "#!/bin/bash",
    ...directives.map((d) => `#SBATCH ${d}`),
    "#",
    `# Stage "${spec.stage}" (part ${spec.part} of ${spec.parts}) of the degeneracy run in`,
    `# ${spec.out}. Array task i runs unit UNIT_IDS[i], index UNIT_INDICES[i] of the stage in`,
    "# plan.json. Written and submitted by `deno task reproduce --executor slurm`; rerunning that",
    "# command resubmits only the units that are not done. No network needed: Deno loads every",
    "# module from DENO_DIR (--cached-only).",
    "set -u",
    `DENO=${q(spec.deno)}`,
    `REPO=${q(spec.repo)}`,
    `OUT=${q(spec.out)}`,
    `STAGE=${q(spec.stage)}`,
    `export DENO_DIR=${q(spec.denoDir)}`,
    "export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1",
    `UNIT_INDICES=(${spec.units.map((u) => u.index).join(" ")})`,
    `UNIT_IDS=(${spec.units.map((u) => q(u.id)).join(" ")})`,
    `RUNNER=(${runnerArgs.map(q).join(" ")})`,
    "",
    JOB_BODY.replaceAll("%LOG_NAME%", logName(spec)).replaceAll("%UNITS%", String(n)),
    "",
  ];
  return lines.join("\n");
}

/** File name part of the log pattern (`<stage>-<part>-%A_%a.log`). */
export function logName(spec: Pick<JobScriptSpec, "stage" | "part">): string {
  return `${spec.stage}-${spec.part}-%A_%a.log`;
}

/** Path of the stamp a job script writes for `unitId`, relative to the run directory. */
export function taskStampPath(unitId: string): string {
  return `slurm/tasks/${unitFileName(unitId)}.json`;
}
