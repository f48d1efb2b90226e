// Types of the stack command's own modules (the lab's are in lab/).

/** One of Prometheus' scrape targets, as `stack up` judges readiness by them. */
export interface PromTarget {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}
