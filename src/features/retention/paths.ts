import { casePath } from '../cases/case-access.ts';

export const RETENTION_PATH = '/beheer/bewaartermijnen';
export const legalHoldPath = (caseId: string) => `${casePath(caseId)}/bewaarplicht`;
export const legalHoldLiftPath = (caseId: string) => `${legalHoldPath(caseId)}/opheffen`;
