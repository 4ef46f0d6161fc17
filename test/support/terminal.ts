/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC, CR, LF...), DEL, C1 controls,
 * and the bidi embeddings, overrides and isolates. None may reach a terminal from stored text.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const ACTIVE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
