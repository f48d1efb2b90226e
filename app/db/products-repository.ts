// The seeded catalogue. Prices stay DECIMAL strings from the database to the JSON edge.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';

export interface Product {
  id: number;
  sku: string;
  name: string;
  price: number;
}

interface ProductRow extends RowDataPacket {
  id: number;
  sku: string;
  name: string;
  price: string;
}

/** GET /api/products (exported for the bench's bare loop, which must run the same SQL). */
export const PRODUCTS_SQL = 'SELECT id, sku, name, price FROM products ORDER BY id';

export class ProductsRepository {
  constructor(private readonly db: Database) {}

  async list(): Promise<Product[]> {
    const rows = await this.db.rows<ProductRow>('products.list', PRODUCTS_SQL);
    return rows.map((r) => ({ id: Number(r.id), sku: r.sku, name: r.name, price: Number(r.price) }));
  }
}
