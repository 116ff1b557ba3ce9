import { Injectable } from '@nestjs/common';

/**
 * The refresh schedule's idea of "now". A provider of its own so an end-to-end test can move
 * time (restarts, day changes, daylight-saving) without waiting for 03:00.
 */
@Injectable()
export class RefreshClock {
  now(): Date {
    return new Date();
  }
}
