// HS256 JWTs (CONTRACT section 5). jose pins the algorithm, so `alg: none` and every other
// algorithm are refused before the signature is even looked at.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { ApiError } from '../http/errors.ts';
import type { Principal, Role } from './principal.ts';

export const minimumSecretLength = 32;

const claimsSchema = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('operator'),
    sub: z.string().min(1),
    jti: z.string().min(1),
    exp: z.number().int(),
  }),
  z.object({
    role: z.literal('customer'),
    sub: z.string().min(1),
    jti: z.string().min(1),
    exp: z.number().int(),
    customer_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    act: z.object({ sub: z.string().min(1) }).optional(),
  }),
]);

function keyOf(secret: string) {
  return new TextEncoder().encode(secret);
}

export interface TokenRequest {
  role: Role;
  subject: string;
  customerId?: string;
  actingOperator?: string;
  ttlSeconds: number;
  tokenId?: string;
}

export interface SignedToken {
  token: string;
  tokenId: string;
  expiresAt: Date;
}

export async function signToken(secret: string, request: TokenRequest, now: Date = new Date()): Promise<SignedToken> {
  const tokenId = request.tokenId ?? crypto.randomUUID();
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAtSeconds = issuedAt + request.ttlSeconds;
  const claims: Record<string, unknown> = { role: request.role };
  if (request.role === 'customer') claims.customer_id = request.customerId;
  if (request.actingOperator) claims.act = { sub: request.actingOperator };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.subject)
    .setJti(tokenId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAtSeconds)
    .sign(keyOf(secret));
  return { token, tokenId, expiresAt: new Date(expiresAtSeconds * 1000) };
}

// Imported once per isolate and secret, not on every request that carries a token.
type VerificationKey = ReturnType<typeof crypto.subtle.importKey>;
let verificationKey: { secret: string; key: VerificationKey } | null = null;

function verificationKeyOf(secret: string): VerificationKey {
  if (verificationKey?.secret !== secret) {
    verificationKey = { secret, key: crypto.subtle.importKey('raw', keyOf(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']) };
  }
  return verificationKey.key;
}

export async function verifyToken(secret: string, token: string, now: Date = new Date()): Promise<Principal> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, await verificationKeyOf(secret), {
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['exp', 'jti', 'sub'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new ApiError('unauthorized', 'The token has expired.');
    throw new ApiError('unauthorized', 'The token is not valid.');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new ApiError('unauthorized', 'The token is missing required claims.');
  const c = claims.data;
  const expiresAt = new Date(c.exp * 1000);
  if (c.role === 'operator') return { role: 'operator', subject: c.sub, tokenId: c.jti, expiresAt };
  return {
    role: 'customer',
    subject: c.sub,
    tokenId: c.jti,
    expiresAt,
    customerId: c.customer_id,
    actingOperator: c.act?.sub ?? null,
  };
}
