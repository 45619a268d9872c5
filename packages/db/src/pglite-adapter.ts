// The Prisma driver adapter for a PGlite instance.
import type { PGlite } from "@electric-sql/pglite";
import type { SqlDriverAdapterFactory } from "@prisma/client/runtime/client";
import { PrismaPGlite } from "pglite-prisma-adapter";

/** What both PrismaClient and the Prisma CLI (prisma.config.ts) accept. */
export type MigrationAwareAdapterFactory = SqlDriverAdapterFactory & {
  connectToShadowDb(): ReturnType<SqlDriverAdapterFactory["connect"]>;
};

export function pgliteAdapter(pglite: PGlite): MigrationAwareAdapterFactory {
  // pglite-prisma-adapter 0.6.1 is typed against @prisma/driver-adapter-utils
  // 6.10, where a query's `argTypes` were strings; 6.19 sends objects. The
  // adapter never reads argTypes, so only the declared types differ.
  return new PrismaPGlite(pglite) as unknown as MigrationAwareAdapterFactory;
}
