// Generic netlink (genetlink.h): a 4-byte header (cmd, version, reserved) after the netlink header,
// then attributes. Families get their message type at run time from the controller ("nlctrl",
// fixed id GENL_ID_CTRL) through CTRL_CMD_GETFAMILY. Pure: bytes in, values out.
import { ByteReader, ByteWriter } from '../../lib/bytes.js';
import { decodeAttrs, encodeAttrs, type AttrTable, type AttrValues } from './attrs.js';

export const GENL_HDRLEN = 4;
/** NLMSG_MIN_TYPE: the controller's own fixed family id. */
export const GENL_ID_CTRL = 0x10;

export const CTRL_CMD = { NEWFAMILY: 1, DELFAMILY: 2, GETFAMILY: 3 } as const;

const MCAST_GROUP: AttrTable = {
  name: { id: 1, type: 'string' },
  id: { id: 2, type: 'u32' },
};

export const CTRL_ATTRS: AttrTable = {
  familyId: { id: 1, type: 'u16' },
  familyName: { id: 2, type: 'string' },
  version: { id: 3, type: 'u32' },
  hdrSize: { id: 4, type: 'u32' },
  maxAttr: { id: 5, type: 'u32' },
  mcastGroups: { id: 7, type: 'array', table: MCAST_GROUP },
};

export interface GenlMessage {
  cmd: number;
  version: number;
  /** The attribute block after the genl header. */
  attrs: Uint8Array;
}

/** The payload of one generic netlink request: header then attributes. */
export function encodeGenl(cmd: number, version: number, attrs: Uint8Array = new Uint8Array(0)): Buffer {
  const w = new ByteWriter(GENL_HDRLEN + attrs.length);
  w.u8(cmd).u8(version).u16(0).bytes(attrs);
  return w.finish();
}

export function decodeGenl(payload: Uint8Array): GenlMessage {
  const r = new ByteReader(payload);
  const cmd = r.u8();
  const version = r.u8();
  r.skip(2);
  return { cmd, version, attrs: payload.subarray(GENL_HDRLEN) };
}

export interface GenlFamily {
  id: number;
  name: string;
  version: number;
  hdrSize: number;
  maxAttr: number;
  mcastGroups: { name: string; id: number }[];
}

/** CTRL_CMD_GETFAMILY by name. */
export function encodeGetFamily(name: string): Buffer {
  return encodeGenl(CTRL_CMD.GETFAMILY, 1, encodeAttrs(CTRL_ATTRS, { familyName: name }));
}

/** A CTRL_CMD_NEWFAMILY reply; throws when the reply does not carry a family id. */
export function decodeFamily(payload: Uint8Array): GenlFamily {
  const g = decodeGenl(payload);
  const a = decodeAttrs(CTRL_ATTRS, g.attrs);
  if (typeof a.familyId !== 'number') throw new Error('genl: controller reply without a family id');
  const groups = (a.mcastGroups as AttrValues[] | undefined) ?? [];
  return {
    id: a.familyId,
    name: String(a.familyName ?? ''),
    version: Number(a.version ?? 0),
    hdrSize: Number(a.hdrSize ?? 0),
    maxAttr: Number(a.maxAttr ?? 0),
    mcastGroups: groups.map((m) => ({ name: String(m.name ?? ''), id: Number(m.id ?? 0) })),
  };
}

/** The controller's reply to a GETFAMILY, as the kernel builds it (used by fake kernels in tests). */
export function encodeFamilyReply(f: Pick<GenlFamily, 'id' | 'name' | 'version' | 'maxAttr'>): Buffer {
  return encodeGenl(CTRL_CMD.NEWFAMILY, 2, encodeAttrs(CTRL_ATTRS, { familyName: f.name, familyId: f.id, version: f.version, hdrSize: 0, maxAttr: f.maxAttr }));
}
