// For Prisma's CLI (generate, and migrate deploy where its engine is available).
// The application itself connects through a driver adapter (src/storage/database.ts).
// A postgresql:// DATABASE_URL selects the PostgreSQL copy of the schema (written from
// prisma/schema.prisma by scripts/prisma-generate.mjs) and PostgreSQL's own migrations.
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL ?? 'file:./data/cozum.db';
const postgresql = /^postgres(ql)?:/.test(url);

export default defineConfig({
  schema: postgresql ? 'src/generated/postgresql.prisma' : 'prisma/schema.prisma',
  migrations: { path: postgresql ? 'prisma/postgresql/migrations' : 'prisma/migrations' },
  datasource: { url },
});
