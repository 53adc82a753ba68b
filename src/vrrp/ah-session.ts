// One VRRP instance's IPsec AH state (auth_type AH): the sequence counter shared by sending and
// receiving, and the IPv4 identification of the packets it builds (IP_HDRINCL: the kernel leaves
// a non-zero id alone, and the ICV covers it). The rules are the codec's ahSeq* helpers, which
// follow keepalived; this class only keeps the state between packets.
import {
  AH_SEQ_INITIAL, ahKey, ahSeqBecomeMaster, ahSeqSend, encodeVrrpAh, type AhSeqCounter,
} from '../codec/vrrp-ah.js';
import { validateAhAdvert, type AhValidateResult, type ReceiveConfig, type ReceivedPacket } from './validate.js';

export class AhSession {
  private counter: AhSeqCounter = AH_SEQ_INITIAL;
  /** keepalived counts its own ids from 1 and skips 0 (0 would let the kernel pick one). */
  private ipId = 0;
  private key: Uint8Array;

  /** `zeroTtl`: the instance has unicast peers (keepalived then leaves the TTL out of the ICV). */
  constructor(password: string, private zeroTtl: boolean) { this.key = ahKey(password); }

  /** The last sequence number sent or accepted. */
  get seq(): number { return this.counter.seq; }

  /** A reload changed the password or the peers: the counter carries on (the peers keep theirs). */
  rekey(password: string, zeroTtl: boolean): void { this.key = ahKey(password); this.zeroTtl = zeroTtl; }

  /** The whole IPv4 packet for one advertisement (`vrrp` encoded with auth type AH), next number. */
  seal(vrrp: Uint8Array, src: Uint8Array, dst: Uint8Array): Buffer {
    const next = ahSeqSend(this.counter);
    this.counter = next.counter;
    this.ipId = this.ipId >= 0xffff ? 1 : this.ipId + 1;
    return encodeVrrpAh({ src, dst, id: this.ipId, seq: next.seq, vrrp, key: this.key, zeroTtl: this.zeroTtl });
  }

  /** Validates a received IPv4 packet; an accepted one moves the counter to its number. */
  open(cfg: ReceiveConfig, pkt: ReceivedPacket): AhValidateResult {
    const r = validateAhAdvert(cfg, this.counter, pkt);
    if (r.ok) this.counter = r.counter;
    return r;
  }

  /** The instance became MASTER: a cycled counter starts again (keepalived). */
  becomeMaster(): void { this.counter = ahSeqBecomeMaster(this.counter); }
}
