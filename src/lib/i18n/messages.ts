// UI text: Bahasa Indonesia first (id.ts), English as the switch (en.ts).
import { id } from './id.ts';
import { en } from './en.ts';

export const messages = { id, en } as const;

export type Locale = keyof typeof messages;
export type MessageKey = keyof typeof id;
