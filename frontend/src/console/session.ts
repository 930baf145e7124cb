import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me, Seat } from './data';

export type Session = { me: Me; seat: Seat; seats: Seat[]; setSeat: (organization: number) => void };
export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the signed-in console');
  return s;
}
