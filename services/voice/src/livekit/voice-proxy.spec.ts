import { describe, expect, it } from '@jest/globals';
import { VoiceProxy } from './voice-proxy.js';

describe('VoiceProxy', () => {
  it('replaces only the host when given a bare host', () => {
    expect(new VoiceProxy('voice.example.com').rewrite('wss://webrtc.chatgpt.com')).toBe('wss://voice.example.com');
    expect(new VoiceProxy('voice.example.com:8443').rewrite('wss://webrtc.chatgpt.com:443/rtc?x=1')).toBe('wss://voice.example.com:8443/rtc?x=1');
  });

  it('takes the scheme from a proxy URL (http → ws, https → wss)', () => {
    expect(new VoiceProxy('http://10.0.0.5:7880').rewrite('wss://webrtc.chatgpt.com/room')).toBe('ws://10.0.0.5:7880/room');
    expect(new VoiceProxy('https://proxy.example.com/').rewrite('wss://webrtc.chatgpt.com')).toBe('wss://proxy.example.com');
    expect(new VoiceProxy('wss://proxy.example.com').rewrite('ws://host.internal:80/')).toBe('wss://proxy.example.com/');
  });

  it('leaves a url it cannot read as it is', () => {
    expect(new VoiceProxy('proxy.example.com').rewrite('not a url')).toBe('not a url');
  });

  it('refuses a proxy with no host', () => {
    expect(() => new VoiceProxy('https://')).toThrow();
  });
});
