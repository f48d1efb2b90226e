// Users: creation (with its counter and activity row), login, logout, read. The writes run
// inside the caller's transaction (one commit per request, with its Idempotency-Key record).
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';
import { logActivity } from './activity.ts';
import type { WriteTx } from './stat-counters.ts';

export interface User {
  id: number;
  name: string;
  email: string;
  created_at: string;
  last_login_at: string | null;
}

interface UserRow extends RowDataPacket {
  id: number | string;
  name: string;
  email: string;
  created_at: Date;
  last_login_at: Date | null;
  logged_in: number;
}

const USER_COLUMNS = 'id, name, email, created_at, last_login_at, logged_in';
/** One user by id (exported for the bench's bare loop). */
export const USER_BY_ID_SQL = `SELECT ${USER_COLUMNS} FROM users WHERE id = ?`;

function toUser(r: UserRow): User {
  return {
    id: Number(r.id),
    name: r.name,
    email: r.email,
    created_at: r.created_at.toISOString(),
    last_login_at: r.last_login_at === null ? null : r.last_login_at.toISOString(),
  };
}

export async function createUser(tx: WriteTx, name: string, email: string): Promise<User> {
  const res = await tx.exec('INSERT INTO users (name, email) VALUES (?, ?)', [name, email]);
  tx.tally.userCreated();
  await logActivity(tx, 'user.created', 'low', `User created: ${name}`);
  const rows = await tx.rows<UserRow>(USER_BY_ID_SQL, [res.insertId]);
  return toUser(rows[0] as UserRow);
}

/**
 * Returns undefined when the user does not exist. Every login counts (and is logged); the
 * first of the day also counts in active_users_today, decided by a conditional UPDATE
 * (never read-then-write), the plain one only running when it matched nothing.
 */
export async function loginUser(tx: WriteTx, id: number): Promise<User | undefined> {
  const first = await tx.exec(
    'UPDATE users SET last_login_at = NOW(3), logged_in = 1 WHERE id = ? AND (last_login_at IS NULL OR last_login_at < CURDATE())',
    [id],
  );
  if (first.affectedRows === 1) tx.tally.firstLoginToday();
  else if ((await tx.exec('UPDATE users SET last_login_at = NOW(3), logged_in = 1 WHERE id = ?', [id])).affectedRows === 0) return undefined;
  const rows = await tx.rows<UserRow>(USER_BY_ID_SQL, [id]);
  const user = toUser(rows[0] as UserRow);
  await logActivity(tx, 'user.login', 'low', `User logged in: ${user.name}`);
  return user;
}

/**
 * Logout is idempotent: logging out a logged-out user answers 200 and changes nothing.
 * `changed` says whether this call ended a session (only then it is counted and logged).
 */
export async function logoutUser(tx: WriteTx, id: number): Promise<{ user: User; changed: boolean } | undefined> {
  const res = await tx.exec('UPDATE users SET logged_in = 0 WHERE id = ? AND logged_in = 1', [id]);
  const rows = await tx.rows<UserRow>(USER_BY_ID_SQL, [id]);
  if (rows[0] === undefined) return undefined;
  const user = toUser(rows[0]);
  const changed = res.affectedRows === 1;
  if (changed) await logActivity(tx, 'user.logout', 'low', `User logged out: ${user.name}`);
  return { user, changed };
}

export class UsersRepository {
  constructor(private readonly db: Database) {}

  async get(id: number, causal = false): Promise<User | undefined> {
    const rows = await this.db.rows<UserRow>('users.get', USER_BY_ID_SQL, [id], { causal });
    return rows[0] === undefined ? undefined : toUser(rows[0]);
  }
}
