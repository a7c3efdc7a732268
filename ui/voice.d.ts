// Types for the plain-JS voice module (ui/voice.js), for the build script and tests.
export declare const VOICE_LANGS: string[];
export declare const VOICE_KEYS: string[];
export declare function screenPrompts(screenId: string, state: unknown, devices: unknown, outcome?: string): { keys: string[]; id: string };
export declare function playPrompt(screenKey: string, options?: { force?: boolean }): void;
/** The screen's player (createVoice); app.js drives it. */
export interface Voice {
  update(screenId: string, state: unknown, devices: unknown, outcome?: string): void;
  repeat(): void;
  playPrompt(key: string, options?: { force?: boolean }): void;
  setEnabled(on: boolean): void;
  readonly enabled: boolean;
}
export declare function createVoice(o: { lang: () => string; audio: unknown; doc?: unknown }): Voice;
export declare function installVoice(v: Voice): void;
