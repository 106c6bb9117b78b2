// What the StateEntry table holds, by key: botbuilder's conversation state, and the WhatsApp
// (Baileys) linked device's credentials and Signal keys. Shared by the code that writes these rows
// and by the KVKK erasure, which deletes the rows that belong to one citizen.

/** botbuilder's ConversationState keys of a conversation start so: `<channelId>/conversations/<conversationId>/<namespace>`. */
export function conversationStatePrefix(channel: string, conversationId: string): string {
  return `${channel}/conversations/${conversationId}/`;
}

export const BAILEYS_PREFIX = 'baileys/';
/** The linked device's own credentials (the municipality's account). */
export const CREDS_KEY = 'baileys/creds';
/** Signal keys, one row each: `baileys/keys/<type>/<id>`. */
export const KEYS_PREFIX = 'baileys/keys/';

export function keyOf(type: string, id: string): string {
  return `${KEYS_PREFIX}${type}/${id}`;
}

/**
 * Baileys key types whose ids are the device's own (pre-keys, app-state keys and their versions).
 * Every other type is kept per person, its id naming their WhatsApp user: sessions and identity
 * keys (`905321110001.0`, `123456789012345_1.0`), device lists, lid mappings (`905321110001` → lid,
 * `<lid>_reverse` → phone), tc tokens (`<lid>@lid`), sender keys and their memory.
 */
export const BAILEYS_DEVICE_KEY_TYPES = ['pre-key', 'app-state-sync-key', 'app-state-sync-version'];
