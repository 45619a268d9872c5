import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A throwaway self-signed certificate for localhost and 127.0.0.1, written into `dir` with
 * openssl (Debian's `openssl` package: `apt-get install openssl` where it is missing).
 * Browsers reach it with `ignoreHTTPSErrors` / `--ignore-certificate-errors`.
 */
export async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  try {
    await run("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", cert, "-days", "7", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ]);
  } catch (error) {
    throw new Error(`openssl could not make a certificate (apt-get install openssl): ${error instanceof Error ? error.message : String(error)}`);
  }
  return { cert, key };
}
