import { describe, expect, it } from 'vitest';
import { classifyDbError } from './db-errors.ts';

const err = (fields: Record<string, unknown>): Error => Object.assign(new Error('x'), fields);

describe('classifyDbError', () => {
  it('treats Galera certification failure / deadlock as a conflict that was not applied', () => {
    expect(classifyDbError(err({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }))).toEqual({ kind: 'conflict', code: 'ER_LOCK_DEADLOCK', notApplied: true });
  });
  it('treats WSREP not ready (1047) as unavailable and not applied', () => {
    expect(classifyDbError(err({ code: 'ER_UNKNOWN_COM_ERROR', errno: 1047 }))).toEqual({ kind: 'unavailable', code: 'ER_UNKNOWN_COM_ERROR', notApplied: true });
  });
  it('treats a commit refused outside the Primary component (1180) as unavailable and not applied', () => {
    // seen in the galera-quorum-loss drill: "Error while appending streaming replication
    // fragment(provider status: Not connected to Primary Component)"
    expect(classifyDbError(err({ code: 'ER_ERROR_DURING_COMMIT', errno: 1180 }))).toEqual({ kind: 'unavailable', code: 'ER_ERROR_DURING_COMMIT', notApplied: true });
  });
  it('knows refused connections were not applied and lost ones may have been', () => {
    expect(classifyDbError(err({ code: 'ECONNREFUSED', errno: -111 }))).toMatchObject({ kind: 'unavailable', notApplied: true });
    expect(classifyDbError(err({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }))).toMatchObject({ kind: 'unavailable', notApplied: false });
    expect(classifyDbError(err({ code: 'ECONNRESET' }))).toMatchObject({ kind: 'unavailable', notApplied: false });
    expect(classifyDbError(err({ code: 'ETIMEDOUT' }))).toMatchObject({ kind: 'unavailable', notApplied: false });
  });
  it('treats other SQL errors as fatal and ignores non-database errors', () => {
    expect(classifyDbError(err({ code: 'ER_PARSE_ERROR', errno: 1064 }))).toMatchObject({ kind: 'fatal' });
    expect(classifyDbError(new Error('plain'))).toBeUndefined();
    expect(classifyDbError('text')).toBeUndefined();
  });
  it('keeps the code label bounded', () => {
    expect(classifyDbError(err({ code: 'weird code with spaces', errno: 9999 }))?.code).toBe('ERRNO_9999');
    expect(classifyDbError(err({ code: 'x y', fatal: true }))?.code).toBe('other');
  });
  it('ignores errors that only carry a code of their own (an HTTP answer decided in a transaction)', () => {
    expect(classifyDbError(err({ code: 'idempotency_key_reused', status: 422 }))).toBeUndefined();
  });
});
