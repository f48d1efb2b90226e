// What other parts use of the chaos part: its drills and the runner (the CLI enters through
// command.ts), and the reading of a drill's client outcomes that the bench's failover
// figures share with the report.
export { runDrill } from './runner.ts';
export { findDrill } from './drills/catalog.ts';
export { countClientErrors, isClientError } from './report/timeline.ts';
