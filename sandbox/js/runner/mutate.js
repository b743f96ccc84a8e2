export async function handleMutate() {
  return { ok: false, reason: 'not implemented' };
}
