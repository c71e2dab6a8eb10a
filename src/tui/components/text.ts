/** Text helpers for the view (kept ASCII where they can: a cut ends in `~`); they live in ../view.ts. */
export {cellA, fitA} from '../view.js'
