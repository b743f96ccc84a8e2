export { createWebChat, answer, CONTENT_SECURITY_POLICY, type WebAnswer, type WebChat, type WebChatOptions } from './chat.ts';
export { checkWebChatExposure, sameOriginPost, hostAllowed, LOOPBACK_HOSTS, type OriginPolicy } from './guard.ts';
export { checkPaste, type WebPaste } from './paste.ts';
