export { renderInline, shortenValue, DEFAULT_FIRST_STATES } from './render-inline.ts';
export type { RenderOptions, RenderedTrace } from './render-inline.ts';
export { traceExcerpt } from './excerpt.ts';
export { estimateTokens } from './estimate-tokens.ts';
