// The consultant's console (served at /console/): a second entry of the PWA's build; the phone never loads it.
import { render } from 'preact';
import { App } from './app';
import './console.css';

render(<App />, document.getElementById('console')!);
