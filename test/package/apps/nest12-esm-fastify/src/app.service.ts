import { Injectable } from '@nestjs/common';

@Injectable()
export class AppService {
  private runs = 0;

  getHello(): string {
    return 'Hello World!';
  }

  /** How often the cached route's handler ran: a hit leaves it unchanged. */
  countRun(): { runs: number } {
    return { runs: ++this.runs };
  }
}
