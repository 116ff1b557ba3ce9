/** Tests read error bodies and reports field by field; a loose type keeps those reads short. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LooseJson = any;

export async function jsonOf(res: Response): Promise<LooseJson> {
  return res.json();
}
