// Scene keys match the scene class and file names.
export const ARENA_SCENE = 'ArenaScene';
