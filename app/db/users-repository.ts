// Users: creation (with its counter and activity row, one transaction), login, logout, read.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';
import { bumpCounter, logActivity } from './activity.ts';

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

const COLUMNS = 'id, name, email, created_at, last_login_at, logged_in';

function toUser(r: UserRow): User {
  return {
    id: Number(r.id),
    name: r.name,
    email: r.email,
    created_at: r.created_at.toISOString(),
    last_login_at: r.last_login_at === null ? null : r.last_login_at.toISOString(),
  };
}

export class UsersRepository {
  constructor(private readonly db: Database) {}

  async create(name: string, email: string): Promise<User> {
    return this.db.transaction('users.create', async (tx) => {
      const res = await tx.exec('INSERT INTO users (name, email) VALUES (?, ?)', [name, email]);
      await bumpCounter(tx, 'users');
      await logActivity(tx, 'user.created', 'low', `User created: ${name}`);
      const rows = await tx.rows<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [res.insertId]);
      return toUser(rows[0] as UserRow);
    });
  }

  async get(id: number, causal = false): Promise<User | undefined> {
    const rows = await this.db.rows<UserRow>('users.get', `SELECT ${COLUMNS} FROM users WHERE id = ?`, [id], { causal });
    return rows[0] === undefined ? undefined : toUser(rows[0]);
  }

  /** Returns undefined when the user does not exist. Every login counts (and is logged). */
  async login(id: number): Promise<User | undefined> {
    return this.db.transaction('users.login', async (tx) => {
      const res = await tx.exec('UPDATE users SET last_login_at = NOW(3), logged_in = 1 WHERE id = ?', [id]);
      if (res.affectedRows === 0) return undefined;
      const rows = await tx.rows<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]);
      const user = toUser(rows[0] as UserRow);
      await logActivity(tx, 'user.login', 'low', `User logged in: ${user.name}`);
      return user;
    });
  }

  /**
   * Logout is idempotent: logging out a logged-out user answers 200 and changes nothing.
   * `changed` says whether this call ended a session (only then it is counted and logged).
   */
  async logout(id: number): Promise<{ user: User; changed: boolean } | undefined> {
    return this.db.transaction('users.logout', async (tx) => {
      const res = await tx.exec('UPDATE users SET logged_in = 0 WHERE id = ? AND logged_in = 1', [id]);
      const rows = await tx.rows<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]);
      if (rows[0] === undefined) return undefined;
      const user = toUser(rows[0]);
      const changed = res.affectedRows === 1;
      if (changed) await logActivity(tx, 'user.logout', 'low', `User logged out: ${user.name}`);
      return { user, changed };
    });
  }
}
