// A Grafana annotation over the fault window, when Grafana answers (best effort, silent
// otherwise): a region from fault start, closed when the drill ends.
export interface GrafanaOptions {
  url: string;
  user: string;
  password: string;
}

function headers(o: GrafanaOptions): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}` };
}

export async function annotateStart(o: GrafanaOptions, at: number, drill: string, text: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${o.url.replace(/\/+$/, '')}/api/annotations`, {
      method: 'POST',
      headers: headers(o),
      body: JSON.stringify({ time: at, tags: ['chaos', drill], text }),
      signal: AbortSignal.timeout(2_000),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { id?: number };
    return body.id;
  } catch {
    return undefined;
  }
}

export async function annotateEnd(o: GrafanaOptions, id: number | undefined, at: number, text: string): Promise<void> {
  if (id === undefined) return;
  try {
    await fetch(`${o.url.replace(/\/+$/, '')}/api/annotations/${id}`, {
      method: 'PATCH',
      headers: headers(o),
      body: JSON.stringify({ timeEnd: at, text }),
      signal: AbortSignal.timeout(2_000),
    });
  } catch {
    // best effort
  }
}
