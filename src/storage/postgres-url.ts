// A PostgreSQL URL as Prisma reads it: `?schema=name` (Prisma's own convention) puts Çözüm's tables
// in that schema instead of `public`, for a database shared with other applications (and for the
// tests, one schema each in one database). `pg` does not know the parameter: it becomes the
// connection's search_path, so that migrations and hand-written SQL find the same tables as
// Prisma Client, which names the schema in its queries.

export interface PostgresConnection {
  connectionString: string;
  /** The schema named by the URL, if any. */
  schema?: string;
}

export function postgresConnection(url: string): PostgresConnection {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { connectionString: url };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`Database URL: schema "${schema}" must be a plain identifier (letters, digits, _)`);
  parsed.searchParams.delete('schema');
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return { connectionString: parsed.toString(), schema };
}
