import { Injectable } from '@nestjs/common';

/** Time source; tests substitute a fixed or advancing clock instead of faking global timers. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
