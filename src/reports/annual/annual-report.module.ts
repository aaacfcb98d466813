import { Module } from '@nestjs/common';

/** An organisation's yearly transparency report (EU DSA Art. 22(3) form). */
@Module({})
export class AnnualReportModule {}
