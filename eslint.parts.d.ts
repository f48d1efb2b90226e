// Types of eslint.parts.js (plain JavaScript, as ESLint loads it), for the test that runs it.
import type { Linter } from 'eslint';

export declare const PARTS: string[];
export declare const MAY_IMPORT: Record<string, Record<string, 'all' | 'index' | 'command'>>;
export declare function partBoundaries(): Linter.Config[];
