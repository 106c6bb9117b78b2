// For Prisma's CLI (generate, and migrate deploy where its engine is available).
// The application itself connects through a driver adapter (src/storage/database.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/cozum.db' },
});
