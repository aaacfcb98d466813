export class AuditEntryResponseDto {
  id: string;
  occurredAt: string;
  action: string;
  actorUserId: string | null;
  organizationId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export class AuditPageResponseDto {
  data: AuditEntryResponseDto[];
  nextCursor: string | null;
}
