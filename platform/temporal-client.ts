import { Client, Connection } from '@temporalio/client';

/** Connects to Temporal, with a clear one-line error when nothing answers. */
export async function connectTemporal(address: string, namespace: string): Promise<Client> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '10s' });
    return new Client({ connection, namespace });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${address}: ${(err as Error).message.split('\n')[0]}`);
  }
}
