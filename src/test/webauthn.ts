import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A software WebAuthn authenticator for tests: ES256 keys from node:crypto, attestation 'none',
 * discoverable credentials, and authenticator data built byte by byte as the specification says
 * (https://www.w3.org/TR/webauthn-3/#sctn-authenticator-data). Each answer can be bent one way
 * (another origin, a repeated counter, no user verification) to test that the server refuses it.
 */
const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL_DATA = 0x40;
/** COSE: key type EC2, algorithm ES256, curve P-256 (RFC 9053). */
const COSE_KTY = 1;
const COSE_ALG = 3;
const COSE_CRV = -1;
const COSE_X = -2;
const COSE_Y = -3;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export interface SoftwareCredential {
  /** base64url, as the server stores it. */
  id: string;
  privateKey: KeyObject;
  /** The user handle from the registration options (base64url). */
  userHandle: string;
  counter: number;
}

/** What a test may bend in one answer. */
export interface AnswerTweaks {
  origin?: string;
  rpId?: string;
  /** Set the counter in the authenticator data instead of counting up. */
  counter?: number;
  userVerified?: boolean;
  /** Sign with this credential (usernameless: the person picks one); default: the last created. */
  credentialId?: string;
}

export class SoftwareAuthenticator {
  readonly credentials: SoftwareCredential[] = [];
  readonly #rpId: string;
  readonly #origin: string;
  /** How much the signature counter goes up per use; 0 for an authenticator that keeps none. */
  readonly #counterStep: number;

  constructor(options: { rpId: string; origin: string; counterStep?: number }) {
    this.#rpId = options.rpId;
    this.#origin = options.origin;
    this.#counterStep = options.counterStep ?? 1;
  }

  /** navigator.credentials.create(): a new key pair, answered with attestation 'none'. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    tweaks: AnswerTweaks = {},
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cosePublicKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [COSE_KTY, 2],
        [COSE_ALG, -7],
        [COSE_CRV, 1],
        [COSE_X, Buffer.from(jwk.x ?? '', 'base64url')],
        [COSE_Y, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
    const credentialId = randomBytes(32);
    const credential: SoftwareCredential = {
      id: b64url(credentialId),
      privateKey,
      userHandle: options.user.id,
      counter: tweaks.counter ?? 0,
    };
    this.credentials.push(credential);
    const attestedCredentialData = Buffer.concat([
      Buffer.alloc(16), // AAGUID: all zero, as attestation 'none' allows
      uint16(credentialId.length),
      credentialId,
      Buffer.from(cosePublicKey),
    ]);
    const authData = Buffer.concat([
      this.#authDataHead(tweaks, FLAG_ATTESTED_CREDENTIAL_DATA, credential.counter),
      attestedCredentialData,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(this.#clientData('webauthn.create', options.challenge, tweaks)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** navigator.credentials.get(): signs the challenge with one of its credentials. */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    tweaks: AnswerTweaks = {},
  ): AuthenticationResponseJSON {
    const credential = tweaks.credentialId
      ? this.credentials.find((c) => c.id === tweaks.credentialId)
      : this.credentials.at(-1);
    if (!credential) throw new Error('the software authenticator holds no such credential');
    credential.counter = tweaks.counter ?? credential.counter + this.#counterStep;
    const authData = this.#authDataHead(tweaks, 0, credential.counter);
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, tweaks);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      credential.privateKey,
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }

  /** RP ID hash, flags (user present, and verified unless tweaked), signature counter. */
  #authDataHead(tweaks: AnswerTweaks, extraFlags: number, counter: number): Buffer {
    const verified = tweaks.userVerified ?? true;
    const flags = FLAG_USER_PRESENT | (verified ? FLAG_USER_VERIFIED : 0) | extraFlags;
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    return Buffer.concat([sha256(tweaks.rpId ?? this.#rpId), Buffer.from([flags]), counterBytes]);
  }

  #clientData(type: string, challenge: string, tweaks: AnswerTweaks): Buffer {
    return Buffer.from(
      JSON.stringify({ type, challenge, origin: tweaks.origin ?? this.#origin, crossOrigin: false }),
    );
  }
}

function uint16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}
