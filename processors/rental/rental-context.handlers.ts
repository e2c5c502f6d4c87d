import type { CommandHandler } from '../runtime/command-handler';
import { catalogHandlers } from './catalog.handlers';
import type { CatalogRepository } from './catalog.repository';
import { paymentHandlers } from './payment.handlers';
import { projectionHandlers } from './projection.handlers';
import { rentalHandlers } from './rental.handlers';
import type { RentalRepository } from './rental.repository';

/** Every command and followed event of the rental context, wired to its repositories. */
export function rentalContextHandlers(rentals: RentalRepository, catalog: CatalogRepository): CommandHandler[] {
  return [...catalogHandlers(catalog), ...rentalHandlers(rentals, catalog), ...paymentHandlers(rentals), ...projectionHandlers(catalog)];
}
