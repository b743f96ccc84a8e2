/**
 * Allow-lists from the config: an absent list allows everything (the bot answers wherever it was
 * invited); a present list allows only the ids it names. An empty list therefore blocks everything,
 * which is what an operator who sets `SLACK_ALLOWED_CHANNELS=` with nothing after it probably meant
 * not to do, but the config loader already treats empty strings as unset.
 */
export function isAllowed(list: readonly string[] | undefined, id: string | undefined): boolean {
  if (list === undefined) return true;
  if (id === undefined) return false;
  return list.includes(id);
}

/** Help channels are opt-in per channel: off unless listed. */
export function isHelpChannel(list: readonly string[], id: string | undefined): boolean {
  return id !== undefined && list.includes(id);
}
