import { ChannelKind } from './channel.entity';
import reference from './data/platforms.json';

/** The platforms and channels the community starts with (copied from shared/data/platforms.json). */
export interface ReferencePlatform {
  code: string;
  name: string;
  parentCompany: string | null;
  dsaVlop: boolean | null;
  channels: {
    code: string;
    name: string;
    kind: ChannelKind;
    url: string | null;
    expectedResponseHours: number;
    verified: boolean;
    note: string | null;
  }[];
}

interface RawChannel {
  code: string;
  name: string;
  kind: string;
  url?: string | null;
  verified?: boolean;
  note?: string | null;
  expected_response_hours: number;
}

export const REFERENCE_PLATFORMS: ReferencePlatform[] = (
  reference.platforms as {
    code: string;
    name: string;
    parent_company?: string;
    dsa_vlop?: boolean | null;
    channels: RawChannel[];
  }[]
).map((p) => ({
  code: p.code,
  name: p.name,
  parentCompany: p.parent_company ?? null,
  dsaVlop: p.dsa_vlop ?? null,
  channels: p.channels.map((c) => ({
    code: c.code,
    name: c.name,
    kind: c.kind as ChannelKind,
    url: c.url ?? null,
    expectedResponseHours: c.expected_response_hours,
    verified: c.verified ?? false,
    note: c.note ?? null,
  })),
}));
