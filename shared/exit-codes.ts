// Every `smartshop` command ends with one of these, so a script or a CI stage can tell a
// failed verdict from a typo and from a lab that was not there. The README's table is this.
export const EXIT = {
  /** done; the verdict (a drill, a check, the thresholds) passed */
  ok: 0,
  /** it ran, and the verdict failed: a drill failed or deviated, a threshold was crossed, a check found a difference, something is still injected */
  failed: 1,
  /** the command line (or the environment it reads) could not be understood: nothing was done */
  usage: 2,
  /** it could not run: refused before touching anything, a part of the lab or a tool missing, an unexpected error */
  couldNotRun: 3,
} as const;
