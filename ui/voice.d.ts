// Types for the plain-JS voice module (ui/voice.js), for the build script and tests.
export declare const VOICE_LANGS: string[];
export declare const VOICE_KEYS: string[];
export declare function screenPrompts(screenId: string, state: unknown, devices: unknown, outcome?: string): { keys: string[]; id: string };
export declare function playPrompt(screenKey: string): void;
