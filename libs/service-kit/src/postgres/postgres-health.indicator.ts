import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { HealthIndicator } from '../health/health-indicator.js';

@Injectable()
export class PostgresHealthIndicator implements HealthIndicator {
  readonly name = 'postgres';
  constructor(private readonly dataSource: DataSource) {}
  async check() {
    await this.dataSource.query('SELECT 1');
  }
}
