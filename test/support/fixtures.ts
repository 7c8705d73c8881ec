import { api } from './test-app';

type Client = ReturnType<typeof api>;

/** Creates an offer through the API and returns its id. */
export async function createOffer(
  org: Client,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const response = await org('POST', '/v1/offers', {
    title: 'Sunset kayak tour',
    kind: 'experience',
    type: 'outdoor',
    pointsPrice: 100,
    ...fields,
  });
  if (response.status !== 201)
    throw new Error(`offer not created: ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

export async function credit(org: Client, externalUserID: string, amount: number): Promise<void> {
  const response = await org('POST', '/v1/wallet/credit', {
    amount,
    externalUserID,
    reason: 'test',
  });
  if (response.status !== 200) throw new Error(`credit failed: ${JSON.stringify(response.body)}`);
}

export async function memberToken(org: Client, externalUserID: string): Promise<string> {
  const response = await org('POST', '/v1/auth/exchange', { externalUserID });
  if (response.status !== 200) throw new Error(`exchange failed: ${JSON.stringify(response.body)}`);
  return response.body.accessToken as string;
}

/** The member's summary as the command side knows it (PUT with no change writes nothing). */
export async function balanceOf(org: Client, externalUserID: string): Promise<number> {
  const response = await org('PUT', `/v1/members/${encodeURIComponent(externalUserID)}`, {});
  return response.body.wallet.balance as number;
}
