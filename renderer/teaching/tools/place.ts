// Where a classroom tool was opened, for closing the ones that belong to it.
import { href, type Route } from '../../route';
import type { Tool } from './ToolsMenu';

/**
 * The timer and the random picker are the class's, not the page's: a countdown for
 * group work keeps running while the teacher opens the next resource or another
 * lesson, and numbers already called stay called. They are small panels with a ✕.
 */
export const STAYS: ReadonlySet<Tool> = new Set<Tool>(['timer', 'random']);

/**
 * A lesson's resources are one place (the clicker steps from its PDF on to its image
 * under the curtain), as are a plan's items while it is presented; anywhere else is
 * its own page, the home screen too.
 */
export function placeOf(route: Route): string {
  if (route.name === 'resource') return 'lesson';
  if (route.name === 'present') return `present/${route.id}`;
  return href(route);
}
