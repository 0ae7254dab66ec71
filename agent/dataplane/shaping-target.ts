// What the mobile uplink is shaped to, from the failover path, the profile in force and what the
// network negotiated. Pure.
import type { Path } from '../../shared/contract/messages.js';
import type { Rates } from '../../shared/service.js';

/**
 * Null (no shaping) unless traffic is on mobile: failback clears the shaper, failover sets it
 * up while the stick's session is still being made. On mobile: the profile in force (R3/R4), or
 * what the network negotiated where that is less (a grid step below the request, or a cell that
 * grants less). The shaper must be the narrowest point of the path: where the radio is, packets
 * queue in the network, and the shaper's interactive class can no longer keep VoIP ahead of a
 * bulk download. Never above the profile, whatever the network grants.
 */
export function shapingTarget(path: Path, profile: Rates, negotiated: Rates | null): Rates | null {
  if (path !== 'mobile') return null;
  if (negotiated === null || negotiated.downKbps <= 0 || negotiated.upKbps <= 0) return profile;
  return { downKbps: Math.min(profile.downKbps, negotiated.downKbps), upKbps: Math.min(profile.upKbps, negotiated.upKbps) };
}
