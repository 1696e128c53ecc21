// Connection URLs are shown with the password replaced, everywhere ferry prints or stores them.

const MASK = '****';

/** `postgres://app:secret@db/x` → `postgres://app:****@db/x`; text that is not a URL is fully masked. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    for (const key of [...parsed.searchParams.keys()]) {
      if (/^(password|pass|pwd|sslpassword)$/i.test(key)) parsed.searchParams.set(key, MASK);
    }
    return parsed.toString();
  } catch {
    return MASK;
  }
}

export function urlHasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.password !== '' ||
      [...parsed.searchParams.keys()].some((k) => /^(password|pass|pwd|sslpassword)$/i.test(k))
    );
  } catch {
    return false;
  }
}
