import type { ConnectInput } from "../../bindings";

/** A provider connected with keys pasted into the form. */
export type KeysProvider = ConnectInput["provider"];

export type FieldName =
  "secretKey" | "programId" | "clientId" | "clientSecret" | "brandId" | "apiKey" | "callbackSecret";

export interface FieldDef {
  name: FieldName;
  label: string;
  /** Typed into a password field, never prefilled, never shown again. */
  secret: boolean;
  description?: string;
}

/** The connect form's fields per provider, in the order they are asked for. */
export const KEY_FIELDS: Record<KeysProvider, readonly FieldDef[]> = {
  stripe: [
    {
      name: "secretKey",
      label: "Secret key",
      secret: true,
      description:
        "sk_test_… or rk_test_… in a sandbox profile; sk_live_… / rk_live_… in production",
    },
  ],
  checkout: [
    {
      name: "secretKey",
      label: "Secret key",
      secret: true,
      description: "sk_sbox_… in a sandbox profile; sk_… in production",
    },
  ],
  checkoutOauth: [
    {
      name: "clientId",
      label: "Access key ID",
      secret: false,
      description: "ack_… — an OAuth client from Checkout.com's Dashboard (Developers → Keys)",
    },
    { name: "clientSecret", label: "Access key secret", secret: true },
  ],
  payoneer: [
    { name: "programId", label: "Program ID", secret: false },
    { name: "clientId", label: "Client ID", secret: false },
    { name: "clientSecret", label: "Client secret", secret: true },
  ],
  maldopay: [
    { name: "clientId", label: "Client ID", secret: false },
    { name: "brandId", label: "Brand ID", secret: false },
    { name: "apiKey", label: "API key", secret: true },
    { name: "callbackSecret", label: "Callback secret", secret: true },
  ],
};

export function isKeysProvider(provider: string): provider is KeysProvider {
  return Object.hasOwn(KEY_FIELDS, provider);
}

/** Providers that take more than one kind of credential: the form offers a choice. */
export const CREDENTIAL_KINDS: Partial<
  Record<KeysProvider, readonly { value: KeysProvider; label: string }[]>
> = {
  checkout: [
    { value: "checkout", label: "Secret key" },
    { value: "checkoutOauth", label: "OAuth client" },
  ],
};

export type FieldValues = Partial<Record<FieldName, string>>;

/** The fields left empty (blank counts as empty). */
export function missingFields(provider: KeysProvider, values: FieldValues): FieldDef[] {
  return KEY_FIELDS[provider].filter((field) => !(values[field.name] ?? "").trim());
}

/**
 * What the form sends, trimmed: pasted keys often carry a stray space or line break. Everything
 * else (prefixes, test or live keys, whether the provider accepts them) the engine checks.
 */
export function connectInput(provider: KeysProvider, values: FieldValues): ConnectInput {
  const v = (name: FieldName) => (values[name] ?? "").trim();
  switch (provider) {
    case "stripe":
      return { provider, secretKey: v("secretKey") };
    case "checkout":
      return { provider, secretKey: v("secretKey") };
    case "checkoutOauth":
      return { provider, clientId: v("clientId"), clientSecret: v("clientSecret") };
    case "payoneer":
      return {
        provider,
        programId: v("programId"),
        clientId: v("clientId"),
        clientSecret: v("clientSecret"),
      };
    case "maldopay":
      return {
        provider,
        clientId: v("clientId"),
        brandId: v("brandId"),
        apiKey: v("apiKey"),
        callbackSecret: v("callbackSecret"),
      };
  }
}
