/** spotlight admin-hash: the admin dashboard's password hash, from a password on stdin. */
import { UsageError } from "../errors.js";
import { hashPassword } from "../server/auth.js";
import { parse } from "./args.js";
import type { CliIO } from "./site.js";

export const help = `Usage: spotlight admin-hash < password.txt

Reads a password on standard input and prints its scrypt hash. Put the hash in the environment
variable admin.passwordHashEnv names (default SPOTLIGHT_ADMIN_PASSWORD_HASH); the dashboard at
/admin stays off until it is set. There is no default password.`;

export async function adminHash(args: string[], io: CliIO, stdin: AsyncIterable<Buffer | string> = process.stdin) {
  const { values } = parse(args, {});
  if (values.help) return void io.stdout.write(`${help}\n`);
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c));
  const password = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (password.length < 12) throw new UsageError("the password must have at least 12 characters");
  io.stdout.write(`${hashPassword(password)}\n`);
}
