// Minimal types for `pg` (a dependency of @keyv/postgres; @types/pg is not installed). Only what
// src/feedback/backend.ts uses: an owned connection pool, so closing one store never ends another's.
declare module 'pg' {
  export interface QueryResult<Row> {
    rows: Row[];
  }
  export class Pool {
    constructor(config: { connectionString: string; max?: number });
    query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<QueryResult<Row>>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
}
