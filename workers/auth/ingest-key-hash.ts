// Ingest keys are random secrets shown once; only their SHA-256 is stored anywhere.
export const ingestKeyPrefix = 'sbk_';

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function generateIngestKey(): string {
  return ingestKeyPrefix + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function hashIngestKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
