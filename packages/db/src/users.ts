// Users: guests for now (a name, no credentials).
import type { DbClient } from "./dbClient";
import type { User } from "./generated/prisma/client";

export function createGuestUser(db: DbClient, name: string): Promise<User> {
  return db.user.create({ data: { name } });
}

export function findUser(db: DbClient, id: string): Promise<User | null> {
  return db.user.findUnique({ where: { id } });
}
