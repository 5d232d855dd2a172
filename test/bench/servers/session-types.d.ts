// express-session ships no types (@types/express-session is not installed): it is used untyped here.
declare module 'express-session';
